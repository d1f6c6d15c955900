connection "c" {
  username     = "svc"
  password_env = "PW"
}

baseline "pci" {
  disable = ["ETRN"]
}

server "mail01" {
  address   = "10.0.0.5"
  baselines = ["pcii"]
}
