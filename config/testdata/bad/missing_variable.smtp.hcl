connection "c" {
  username     = "svc"
  password_env = "PW"
}

variable "address" {
  type = string
}

server "mail01" {
  address = var.address
}
