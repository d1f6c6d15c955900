connection "c" {
  username     = "svc"
  password_env = "PW"
}

server "edge" {
  address = each.value
}
