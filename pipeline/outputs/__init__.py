"""pipeline/outputs"""
