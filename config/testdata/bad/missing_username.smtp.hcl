connection "c" {
  password_env = "PW"
}
