# Requires Terraform >= 1.10 (ephemeral input variables). An ephemeral input
# variable is never written to a saved plan file or to state, unlike an
# ordinary variable's value (which a saved plan stores, even when it is
# sensitive). Pass the key with TF_VAR_guayaba_api_key or -var, at plan and
# again at apply.
variable "guayaba_api_key" {
  description = "Guayaba API key: g_master_… or g_agent_… (agent:manage)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

provider "guayaba" {
  api_key  = var.guayaba_api_key
  agent_id = "5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69"
}
