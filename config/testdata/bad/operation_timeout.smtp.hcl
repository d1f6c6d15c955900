connection "c" {
  username          = "svc"
  password_env      = "PW"
  timeout           = "30s"
  operation_timeout = "30s"
}
