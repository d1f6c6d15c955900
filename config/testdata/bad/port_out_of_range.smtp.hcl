connection "c" {
  port         = 70000
  username     = "svc"
  password_env = "PW"
}
