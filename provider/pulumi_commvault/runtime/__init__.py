"""What every resource's provider shares inside the provider process: settings, connections."""
