connection "c" {
  username     = "svc"
  password_env = "PW"
}

variable "port" {
  type    = number
  default = 25
}
