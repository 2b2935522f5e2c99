"""One blueprint per resource; views are thin: load, call a service, dump."""
