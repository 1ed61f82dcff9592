# Requires Terraform >= 1.14 (actions).
# Bring back every archive labelled "Keep", with a new label:
#   terraform apply -invoke=action.guayaba_restore_archive.keep
data "guayaba_archives" "keep" {
  label = "Keep"
}

action "guayaba_restore_archive" "keep" {
  for_each = { for a in data.guayaba_archives.keep.archives : a.filename => a }

  config {
    filename = each.key
    label    = "Restored ${substr(each.value.archived_at, 0, 10)}"
  }
}
