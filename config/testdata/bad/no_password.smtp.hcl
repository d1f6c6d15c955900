connection "c" {
  username = "svc"
}
