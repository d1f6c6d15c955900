connection "c" {
  username     = "svc"
  password_env = "PW"
  ca_file      = "no-such-ca.pem"
}
