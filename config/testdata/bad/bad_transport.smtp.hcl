connection "c" {
  transport    = "winrm"
  username     = "svc"
  password_env = "PW"
}
