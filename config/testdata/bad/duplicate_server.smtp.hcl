connection "c" {
  username     = "svc"
  password_env = "PW"
}

server "mail01" {
  address = "10.0.0.5"
}

server "mail01" {
  address = "10.0.0.6"
}
