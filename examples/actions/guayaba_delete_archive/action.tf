# Requires Terraform >= 1.14 (actions).
# Delete the archives made before 2026 for good:
#   terraform apply -invoke=action.guayaba_delete_archive.old
data "guayaba_archives" "old" {
  archived_before = "2026-01-01T00:00:00Z"
}

action "guayaba_delete_archive" "old" {
  for_each = toset([for a in data.guayaba_archives.old.archives : a.filename])

  config {
    filename = each.key
  }
}
