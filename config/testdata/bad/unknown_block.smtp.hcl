connection "c" {
  username     = "svc"
  password_env = "PW"
}

host "mail01" {
  address = "10.0.0.5"
}
