# Terraform 1.5+: import with a block; `terraform plan -generate-config-out=generated.tf`
# writes the resource block, with every labelled active session in labels.
import {
  to = guayaba_session_labels.support
  id = "5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69"
}
