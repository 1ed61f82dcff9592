# Terraform 1.5+: import with a block (same ID forms as `terraform import`),
# and let `terraform plan -generate-config-out=generated.tf` write the
# resource block if you do not have one yet.
import {
  to = guayaba_session.support
  id = "5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69/agent:main:telegram:group:-1001234567890:topic:42"
}
