connection "c" {
  username     = "svc"
  password_env = "PW"
  ca_file      = "/etc/hostname"
  insecure     = true
}
