connection "c" {
  username     = "svc"
  password_env = "PW"
}

baseline "pci" {
  disable = ["TURN", "ATRN"]
}

server "mail01" {
  address   = "10.0.0.5"
  baselines = ["pci"]
  enable    = ["TURN"]
}
