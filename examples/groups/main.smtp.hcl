# Servers in groups, for planning and applying part of a fleet:
#   smtpverbs plan -target=group.dmz
#   smtpverbs plan -target=edge            (every edge instance)
#   smtpverbs plan -target='edge["b"]'     (one instance)

variable "admin_password" {
  type      = string
  sensitive = true
}

variable "edge_hosts" {
  type    = list(string)
  default = ["192.0.2.10", "192.0.2.11"]
}

connection "dmz" {
  transport       = "https"
  username        = "svc-smtpverbs"
  password        = var.admin_password
  tls_server_name = "smtp-gw.example.net"
  insecure        = true
}

connection "internal" {
  transport = "http"
  auth      = "ntlm"
  username  = "CORP\\svc-smtpverbs"
  password  = var.admin_password
}

baseline "pci" {
  disable = ["turn", "atrn", "etrn"]
}

baseline "modern" {
  enable = ["8BITMIME", "ENHANCEDSTATUSCODES"]
}

server "edge" {
  for_each   = var.edge_hosts
  address    = each.value
  connection = connection.dmz
  baselines  = ["pci", "modern"]
  groups     = ["dmz", "pci"]
}

server "hub" {
  address         = "hub.corp.example"
  connection      = "internal"
  baselines       = ["pci"]
  virtual_servers = [1, 2]
  method          = "adsutil"
  restart         = false
  tags            = ["internal"]
}
