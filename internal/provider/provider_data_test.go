package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	epschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// nullConfig is a configuration of schema s with every attribute null.
func nullConfig[S dsschema.Schema | epschema.Schema](t *testing.T, s S) tfsdk.Config {
	t.Helper()
	ctx := context.Background()
	var cfg tfsdk.Config
	var typ tftypes.Type
	switch s := any(s).(type) {
	case dsschema.Schema:
		cfg.Schema, typ = s, s.Type().TerraformType(ctx)
	case epschema.Schema:
		cfg.Schema, typ = s, s.Type().TerraformType(ctx)
	}
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("schema type is %T, not an object", typ)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	cfg.Raw = tftypes.NewValue(obj, vals)
	return cfg
}

func wantNotConfigured(t *testing.T, diags diag.Diagnostics) {
	t.Helper()
	if errs := diags.Errors(); len(errs) != 1 || errs[0].Summary() != "Provider not configured" {
		t.Errorf("diagnostics = %v, want one \"Provider not configured\" error", diags)
	}
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
			resp := datasource.ReadResponse{State: tfsdk.State{Schema: sr.Schema}}
			ds.Read(ctx, datasource.ReadRequest{Config: nullConfig(t, sr.Schema)}, &resp)
			wantNotConfigured(t, resp.Diagnostics)
		})
	}
	t.Run("ephemeral guayaba_session_history", func(t *testing.T) {
		e := NewSessionHistoryEphemeralResource()
		var sr ephemeral.SchemaResponse
		e.Schema(ctx, ephemeral.SchemaRequest{}, &sr)
		resp := ephemeral.OpenResponse{Result: tfsdk.EphemeralResultData{Schema: sr.Schema}}
		e.Open(ctx, ephemeral.OpenRequest{Config: nullConfig(t, sr.Schema)}, &resp)
		wantNotConfigured(t, resp.Diagnostics)
	})
}
