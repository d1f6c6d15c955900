connection "c" {
  username     = "svc"
  password_env = "PW"
}

server "mail01" {
  address = "10.0.0.5"
}

exception "e" {
  verb          = "ETRN"
  servers       = ["mail01"]
  justification = "Partner"
  expires       = "2099-01-01"
}

exception "e" {
  verb          = "TURN"
  servers       = ["mail01"]
  justification = "Partner"
  expires       = "2099-01-01"
}
