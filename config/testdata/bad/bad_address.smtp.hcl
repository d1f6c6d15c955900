connection "c" {
  username     = "svc"
  password_env = "PW"
}

server "mail01" {
  address = "https://10.0.0.5:5986"
}
