package sessions

import (
	"context"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// restoreLabel is the label to restore an archive with when the wanted label
// is label. A restore without a label keeps the archive's label, which
// another active session may hold by now (archives do not count toward the
// uniqueness of labels), and the platform would refuse it. Then the archive
// is restored under a temporary label of its own, which the rename step of
// Converge clears at once: the session ends with no label and the other
// session keeps its label.
func (a *Agent) restoreLabel(ctx context.Context, key string, arch client.Archive, label *string) *string {
	if label != nil || arch.Label == nil || a.LabelHolder(ctx, key, arch.Label) == "" {
		return label
	}
	temp := RestoringLabel(arch.SessionID)
	return &temp
}

// RestoringLabel is the temporary label of an archive restored without a
// label while another session holds the archive's label.
func RestoringLabel(sessionID string) string { return "restoring " + sessionID }
