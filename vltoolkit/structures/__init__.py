from .vl_data_sample import VLDataSample

__all__ = ['VLDataSample']
