connection "c" {
  username     = "svc"
  password_env = "NOT_SET_ANYWHERE"
}
