
server "mail01" {
  address = "10.0.0.5"
}
