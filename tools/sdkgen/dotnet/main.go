// Command sdkgen-dotnet is sdkgen (../main.go) for C#: Pulumi's .NET codegen left pkg/v3 after
// v3.206.0 for github.com/pulumi/pulumi-dotnet, which the Go module proxy refuses (403), so
// this module pins pkg/v3 v3.206.0, the release pulumi-yaml v1.25.0 also requires.
// sdkgen.go is a symlink to ../sdkgen.go: flags, schema binding and file writing are shared.
package main

import (
	"bytes"
	_ "embed"
	"io"
	"net/http"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-commvault sdkgen"

var generators = map[string]func(*schema.Package) (map[string][]byte, error){
	"dotnet": func(pkg *schema.Package) (map[string][]byte, error) {
		if pkg.LogoURL == "" {
			pkg.LogoURL = placeholderLogoURL
		}
		return dotnet.GeneratePackage(tool, pkg, nil, nil)
	},
}

// The .NET codegen downloads the package's logo, and Pulumi's from GitHub when the schema
// names none; a generation must not need GitHub, so a schema without a logo gets this one.
//
//go:embed logo.png
var placeholderLogo []byte

const placeholderLogoURL = "sdkgen:logo.png"

type embeddedLogo struct{}

func (embeddedLogo) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"image/png"}},
		Body:       io.NopCloser(bytes.NewReader(placeholderLogo)),
		Request:    req,
	}, nil
}

func init() {
	http.DefaultTransport.(*http.Transport).RegisterProtocol("sdkgen", embeddedLogo{})
}
