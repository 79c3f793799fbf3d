"""Portal views, one module per part of the site."""
