connection "c" {
  username     = "svc"
  password_env = "PW"
}
