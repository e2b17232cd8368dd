// The part of sdkgen shared by this module and dotnet/ (a symlink there): flags, binding
// the schema, writing the files. Each module supplies its generators in main.go.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	"github.com/hashicorp/hcl/v2"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	schemaPath := flag.String("schema", "", "the package schema (JSON)")
	outDir := flag.String("out", "", "the directory to write <lang>/ into")
	langs := flag.String("lang", strings.Join(languages(), ","), "comma-separated languages")
	flag.Parse()
	if err := run(*schemaPath, *outDir, strings.Split(*langs, ",")); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, outDir string, langs []string) error {
	if schemaPath == "" || outDir == "" {
		return errors.New("-schema and -out are required (sdkgen -schema schema.json -out DIR)")
	}
	for _, lang := range langs {
		if _, ok := generators[lang]; !ok {
			return fmt.Errorf("-lang %q: this sdkgen writes %s", lang, strings.Join(languages(), ", "))
		}
	}
	for _, lang := range langs {
		// Each generator records its language info on the package: bind a fresh one each time.
		pkg, err := bindSchema(schemaPath)
		if err != nil {
			return err
		}
		files, err := generators[lang](pkg)
		if err != nil {
			return fmt.Errorf("generating the %s SDK: %w", lang, err)
		}
		if err := writeFiles(filepath.Join(outDir, lang), files); err != nil {
			return err
		}
	}
	return nil
}

func languages() []string {
	names := make([]string, 0, len(generators))
	for name := range generators {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func bindSchema(path string) (*schema.Package, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("%s is not a package schema: %w", path, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s is not a valid package schema:\n%s", path, errorLines(diags))
	}
	return pkg, nil
}

// errorLines is one line per error: where in the schema, what is wrong.
func errorLines(diags hcl.Diagnostics) string {
	var lines []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		line := "  " + d.Summary
		if d.Detail != "" {
			line += ": " + d.Detail
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func writeFiles(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// noReferences is the schema loader for a package that stands alone: any reference to
// another package is an error rather than a plugin download.
type noReferences struct{}

func (noReferences) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, refused(name)
}

func (noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, refused(d.Name)
}

func (noReferences) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, refused(name)
}

func (noReferences) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, refused(d.Name)
}

func refused(name string) error {
	return fmt.Errorf("the schema refers to package %q; sdkgen generates stand-alone packages only", name)
}
