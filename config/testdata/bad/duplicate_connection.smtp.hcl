connection "c" {
  username     = "svc"
  password_env = "PW"
}

connection "c" {
  username     = "svc"
  password_env = "PW"
}
