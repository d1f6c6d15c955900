variable "pw" {
  default   = "s3cret"
  sensitive = true
}

connection "c" {
  username     = "svc"
  password     = var.pw
  password_env = "PW"
}
