connection "c" {
  username     = "svc"
  password_env = "PW"
}

baseline "pci" {}
baseline "pci" {}
