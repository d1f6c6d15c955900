"""Run one command through pywinrm against the lab and print the result.

Used by package pywinrmtest. The only argument is a JSON object with target,
transport, user, password, command, and optional args and ca. The output
is one JSON object: stdout, stderr and status, or error and message when
pywinrm raised.
"""
import json
import sys

import winrm


def main():
    cfg = json.loads(sys.argv[1])
    options = {}
    if cfg.get("ca"):
        options["ca_trust_path"] = cfg["ca"]
    if cfg["transport"] == "ntlm":
        options["message_encryption"] = "never"
    session = winrm.Session(cfg["target"], auth=(cfg["user"], cfg["password"]),
                            transport=cfg["transport"], **options)
    try:
        result = session.run_cmd(cfg["command"], cfg.get("args", []))
    except Exception as exc:  # the test compares the class name
        print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
        return
    print(json.dumps({
        "stdout": result.std_out.decode("latin-1"),
        "stderr": result.std_err.decode("latin-1"),
        "status": result.status_code,
    }))


if __name__ == "__main__":
    main()
