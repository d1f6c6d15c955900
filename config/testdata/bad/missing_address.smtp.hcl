connection "c" {
  username     = "svc"
  password_env = "PW"
}

server "mail01" {
  smtp_port = 25
}
