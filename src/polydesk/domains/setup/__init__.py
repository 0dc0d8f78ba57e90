"""What a first start of the server needs: the default reference data and an administrator."""
