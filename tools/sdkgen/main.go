// Command sdkgen writes a Pulumi package's SDKs from its schema with Pulumi's own codegen
// (github.com/pulumi/pulumi/pkg/v3/codegen/...), the code `pulumi package gen-sdk` reaches
// through a language host's GeneratePackage; the Node.js, Go and .NET hosts cannot be had here
// (the module proxy refuses their modules), their codegen packages can.
//
//	sdkgen -schema schema.json -out DIR [-lang nodejs,go]
//
// writes DIR/<lang>/... for each language. The schema is validated first; its errors are
// printed one per line and the exit status is 1. The schema may not refer to other packages.
// This module builds nodejs and go with pkg/v3 at the CLI's version; dotnet/ builds dotnet.
package main

import (
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-commvault sdkgen"

var generators = map[string]func(*schema.Package) (map[string][]byte, error){
	"nodejs": func(pkg *schema.Package) (map[string][]byte, error) {
		return nodejs.GeneratePackage(tool, pkg, nil, nil, false, noReferences{})
	},
	"go": func(pkg *schema.Package) (map[string][]byte, error) {
		return gogen.GeneratePackage(tool, pkg, nil)
	},
}
