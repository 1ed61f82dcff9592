# Requires Terraform >= 1.14 (terraform query).
# Find the Telegram groups of the provider's agent, then write import and
# resource blocks for them (the first plan imports them and changes nothing):
#   terraform query
#   terraform query -generate-config-out=groups.tf
list "guayaba_session" "telegram_groups" {
  provider         = guayaba
  include_resource = true

  config {
    key_prefix = "agent:main:telegram:group:"
  }
}
