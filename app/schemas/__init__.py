"""marshmallow schemas: they validate requests and document the API."""
