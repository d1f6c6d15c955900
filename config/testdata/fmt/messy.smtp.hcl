variable "edge_hosts" {
type = map(string)
    default = {a="10.0.1.1",
  b = "10.0.1.2"}
}

connection "corp" {
  transport="https"
  username = "CORP\\svc"
  password_env    =    "SMTPVERBS_PASSWORD"
    operation_timeout = "20s"   # below timeout
}

baseline "pci" { disable = ["TURN","ATRN","ETRN"] }

server "edge" {
	for_each = var.edge_hosts
	address = each.value
	baselines = [ "pci" ]
}
