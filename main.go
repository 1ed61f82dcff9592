// Command terraform-provider-guayaba serves the Guayaba Terraform provider.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/provider"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	// Before serving: terraform-plugin-log reads the levels when each call
	// sets up its loggers.
	if level := provider.FrameworkLogLevel(os.Getenv); level != "" {
		_ = os.Setenv("TF_LOG_SDK_FRAMEWORK", level)
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
