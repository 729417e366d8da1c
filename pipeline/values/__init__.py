"""pipeline/values"""
