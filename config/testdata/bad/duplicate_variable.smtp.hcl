connection "c" {
  username     = "svc"
  password_env = "PW"
}

variable "x" { default = 1 }
variable "x" { default = 2 }
