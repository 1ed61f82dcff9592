package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// nullObject is a config value of typ with every attribute null.
func nullObject(t *testing.T, typ tftypes.Type) tftypes.Value {
	t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("schema type is %T, not an object", typ)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	return tftypes.NewValue(obj, vals)
}

// Every data source and the ephemeral resource answer an unconfigured
// provider with an error diagnostic, as guayaba_session does, never a
// nil-pointer panic.
func TestReadWithoutProviderData(t *testing.T) {
	ctx := context.Background()
	for _, ds := range []datasource.DataSource{
		NewSessionsDataSource(), NewSessionDataSource(), NewArchivesDataSource(), NewSessionHistoryDataSource(),
	} {
		var meta datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "guayaba"}, &meta)
		t.Run(meta.TypeName, func(t *testing.T) {
			var sr datasource.SchemaResponse
			ds.Schema(ctx, datasource.SchemaRequest{}, &sr)
			req := datasource.ReadRequest{Config: tfsdk.Config{Schema: sr.Schema, Raw: nullObject(t, sr.Schema.Type().TerraformType(ctx))}}
			resp := datasource.ReadResponse{State: tfsdk.State{Schema: sr.Schema}}
			ds.Read(ctx, req, &resp)
			if errs := resp.Diagnostics.Errors(); len(errs) != 1 || errs[0].Summary() != "Provider not configured" {
				t.Errorf("diagnostics = %v, want one \"Provider not configured\" error", resp.Diagnostics)
			}
		})
	}

	t.Run("ephemeral guayaba_session_history", func(t *testing.T) {
		e := NewSessionHistoryEphemeralResource()
		var sr ephemeral.SchemaResponse
		e.Schema(ctx, ephemeral.SchemaRequest{}, &sr)
		req := ephemeral.OpenRequest{Config: tfsdk.Config{Schema: sr.Schema, Raw: nullObject(t, sr.Schema.Type().TerraformType(ctx))}}
		resp := ephemeral.OpenResponse{Result: tfsdk.EphemeralResultData{Schema: sr.Schema}}
		e.Open(ctx, req, &resp)
		if errs := resp.Diagnostics.Errors(); len(errs) != 1 || errs[0].Summary() != "Provider not configured" {
			t.Errorf("diagnostics = %v, want one \"Provider not configured\" error", resp.Diagnostics)
		}
	})
}
