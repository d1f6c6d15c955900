connection "c" {
  auth         = "kerberos"
  username     = "svc"
  password_env = "PW"
}
