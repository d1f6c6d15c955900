connection "c" {
  username     = "svc"
  password_env = "PW"
}

server "edge" {
  for_each = "10.0.0.5"
  address  = each.value
}
