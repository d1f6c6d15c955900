connection "c" {
  username     = "svc"
  password_env = "PW"
}

variable "port" {
  type    = number
  default = 25
}

server "mail01" {
  address   = "10.0.0.5"
  smtp_port = var.port
}
