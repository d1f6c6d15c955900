connection "c" {
  username     = "svc"
  password_env = "PW"
}

variable "hosts" {
  default = ["10.0.0.5"]
}

server "mail01" {
  address = var.host[0]
}
