"""A local fake of the Google Cloud, Azure and Alibaba Cloud APIs that the Vault/OpenBao cloud secrets engines call."""
