connection "c" {
  username     = "svc"
  password_env = "PW"
}

baseline "pci" {
  disable = ["ETRN", "TURN"]
  enable  = ["DSN", "etrn"]
}
